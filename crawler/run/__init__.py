"""Running a crawl: options, settings, the run's summary."""
