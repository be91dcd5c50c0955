"""The course catalogue: courses as data, plain-French requests, ranking, comparison, .ics."""
