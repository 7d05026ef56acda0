"""System checks for the security settings (`manage.py check --deploy`)."""
