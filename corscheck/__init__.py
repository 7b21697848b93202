"""corscheck: would a real browser let this page's JavaScript read that response?"""

__version__ = "0.1.0"
