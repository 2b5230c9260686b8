"""`rstar-train-policy`: the thin command around train_policy (flags or --config file.yaml)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .config import ConfigError, parse_config
from .gguf_export import ExportError


def main(argv: Sequence[str] | None = None) -> int:
    try:
        config = parse_config(argv)
        # Imported after parsing so that --help and bad flags answer without loading torch.
        from .trainer import train_policy

        train_policy(config)
    except ConfigError as error:
        print(f"rstar-train-policy: error: {error}", file=sys.stderr)
        return 2
    except ExportError as error:
        print(f"rstar-train-policy: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "rstar-train-policy: interrupted (rerun the same command to resume from the last checkpoint)",
            file=sys.stderr,
        )
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
