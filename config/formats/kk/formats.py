# Kazakh (Django ships no kk formats): CLDR's long date "y 'ж'. d MMMM" ("2024 ж. 5 наурыз"; the month's name
# comes from Django's kk catalogue), short date dd.MM.y, a no-break space between thousands and a decimal comma.
DATE_FORMAT = "Y ж. j F"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y ж. j F, H:i"
YEAR_MONTH_FORMAT = "Y ж. F"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # no-break space
NUMBER_GROUPING = 3
