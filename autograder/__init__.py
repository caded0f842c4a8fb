"""Instructor side of backproplab: release, grading harness, mutant catalogue."""
