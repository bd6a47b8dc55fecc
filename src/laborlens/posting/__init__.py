"""Job postings → occupations, task-like statements rated for exposure, posting-level β."""
