"""The school calendar: academic terms, their default dates and each school's own term dates."""
