"""The curriculum: reference data (profile modules, keuzevakken, skills, career
competences), the tags that tie an activity to them, and what each school
location offers per school year."""
