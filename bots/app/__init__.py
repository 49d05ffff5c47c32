"""The application: command line, settings, composition root, main loop, doctor, logging."""
