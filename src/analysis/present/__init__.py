"""The presentation layer: charts in the house style, tables formatted for people, prose built from findings.

Shared by every notebook and the report site; takes the tables the methods return and never calculates a
finding itself.
"""
