"""Career transitions and reskilling: occupation similarity, recommendations, priorities."""
