"""Entry point of the frozen kiosk: ``wegwijzer`` (the same command line as from source)."""

import multiprocessing

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the speech worker is a child process of the frozen executable
    from kiosk.cli import main

    main()
