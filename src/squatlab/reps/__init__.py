"""Finding squat repetitions and their phases in a depth signal."""
