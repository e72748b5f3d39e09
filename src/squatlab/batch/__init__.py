"""Many recordings in one command: in parallel on this machine's cores or on a Dask cluster.

Sits on top of the pipeline, beside ``cli``; the science core never imports it.
:func:`~squatlab.batch.inputs.collect` turns files and folders into jobs,
:func:`~squatlab.batch.run.run_batch` analyses the unfinished ones (each job writes its
own output folder, all or nothing, or an error record) and
:func:`~squatlab.batch.summary.write_summary` gathers every file's reps into one CSV.
"""
