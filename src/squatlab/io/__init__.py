"""Readers and writers at the edges: video, C3D, TRC, OpenSim .mot/.sto, IMU CSV. Each reader returns a Trial."""
