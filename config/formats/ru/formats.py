# Russian: Django's own ("5 марта 2024 г.", "21 414", "48,4"), stated here so the one format is in one place.
DATE_FORMAT = "j E Y г."
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # no-break space
NUMBER_GROUPING = 3
