"""What the tests share: fake services on 127.0.0.1, sample papers, builds with a given engine."""
