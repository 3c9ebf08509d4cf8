"""File writers: render the simulation into the landing formats of docs/contracts.md."""
