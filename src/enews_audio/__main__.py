from enews_audio.cli import main

main()
