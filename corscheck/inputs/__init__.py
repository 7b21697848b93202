"""Readers of what a browser already recorded (DevTools copies, HAR files) into plain core data."""
