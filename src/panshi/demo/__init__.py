"""Demo data: a seeded 磐石市 population and its 双公示 records (entry point: `generator`)."""
