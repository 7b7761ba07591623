"""Import of purchased lead lists (CSV or XLSX): read, map, preview, run as a job, report."""
