"""Repositories, one module per aggregate: the only code that reads and writes rows; services get values from them.

The unit of work (storage.unit_of_work) builds them over its session; import a repository from its own module.
"""
