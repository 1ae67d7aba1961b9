"""One test module per command; tests/cli is a package so module names may repeat other folders'."""
