"""The pieces of bench/charts.py: data, formatting, SVG charts and page tables."""
