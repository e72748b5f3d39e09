"""Made-up trials with known answers: squat sets (`sets`), IMU signals (`imu`) and marker sets
(`markers`). They serve the tests, the docstring examples and the choice of filters; the
analysis itself never imports them."""
