"""Signing in: the lockout after wrong passwords, the trail of sign-ins, the second factor
(TOTP), and ending every session of an account."""
