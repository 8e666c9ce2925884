import os

# Keep the suite independent of the developer's git configuration.
os.environ.setdefault("GIT_CONFIG_GLOBAL", "/dev/null")
