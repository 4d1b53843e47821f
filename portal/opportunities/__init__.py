"""Opportunities that organisations post: programme places, work trials, training, volunteering, jobs."""
