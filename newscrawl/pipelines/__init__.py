"""Item pipelines, one job each: validate -> clean -> dedupe -> archive."""
