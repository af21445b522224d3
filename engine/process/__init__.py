"""The process as planflow runs it: versions, instances and their work-item index,
who acts, step forms, checks on a diagram, and moving instances between versions."""
