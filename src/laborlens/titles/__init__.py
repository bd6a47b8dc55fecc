"""Job titles → O*NET-SOC occupations (lexical + semantic matching, calibrated probabilities)."""
