"""Its presence puts ``tests/`` on sys.path (pytest's default "prepend" import mode), so test files
anywhere below can ``from fake_edge import FakeEdge``."""
