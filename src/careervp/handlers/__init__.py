"""Lambda-side helpers shared with CareerVP's handlers."""
