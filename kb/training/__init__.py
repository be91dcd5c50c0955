"""The trainer workspace: method sheets, session plans and their exports."""
