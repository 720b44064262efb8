# Sourced by the build, test, demo and benchmark scripts.
# The model cache is resolved once here, from the real HOME: the end-to-end harness gives OBS
# (and so the host it starts) a fresh HOME, which must not hide the models.
export OBS_FACESWAP_MODEL_CACHE="${OBS_FACESWAP_MODEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/obs-faceswap/models}"
