"""Annual reviews and exits: their models arrive with issue #5."""
