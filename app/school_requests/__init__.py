"""School requests ("vraag"): teachers ask, companies propose, the teacher picks one."""
