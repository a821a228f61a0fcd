"""Django's makemessages, without fuzzy matching: msgmerge's guesses for a new
string ("Area code" filled in as "Area") would sit in the catalogues as fuzzy
entries, which gettext drops when compiling; a new string stays empty until a
translator writes it, and the catalogue test names it."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
