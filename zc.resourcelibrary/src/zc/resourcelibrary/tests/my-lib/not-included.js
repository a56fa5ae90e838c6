// served, but no page references it
