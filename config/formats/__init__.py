"""Qogam's number and date formats per language (settings.FORMAT_MODULE_PATH), read through
django.utils.formats; Django's own locale formats fill in whatever a module here leaves out.

One format per language (issue 16): kk and ru group thousands with a no-break space and use a decimal comma
("21 414", "48,4"); en groups with a comma ("21,414", "48.4"). Money carries its unit: registry_tags.money.
"""
