"""`make bench SCALE=small|city`: generate a city into a throwaway database, then measure (docs/benchmarks.md)."""
