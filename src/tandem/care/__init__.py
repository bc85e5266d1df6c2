"""Proactive care: onboarding messages and known-issue notices sent to a segment of customers."""
