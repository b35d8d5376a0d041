"""The accounts of the people at the counter: adding, disabling, signing in, roles."""
