"""Django's own strings that its Polish catalogue lacks (new in Django 6.1).

Marking them here makes `makemessages` keep them in Rapport's catalogue, whose translations
win over Django's (LOCALE_PATHS comes first). Nothing imports this module.
"""

from django.utils.translation import gettext_lazy as _

DJANGO_STRINGS = (
    # The blank choice of every select built from a model field.
    _("- Select an option -"),
)
