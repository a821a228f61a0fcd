"""manage.py train_screen: train the learned screen from moderation/examples/."""

from django.core.management.base import BaseCommand, CommandError

from moderation.learned import MODEL_FILE
from moderation.training import choose, examples, train, write_model


class Command(BaseCommand):
    help = (
        "Train the learned screen from moderation/examples/*.jsonl: choose its settings "
        "by leaving one set out at a time, then write moderation/learned_screen.json."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="measure and print, write nothing"
        )

    def handle(self, *args, dry_run: bool = False, **options):
        try:
            import sklearn  # noqa: F401
        except ImportError:
            raise CommandError(
                "Training needs scikit-learn, a development dependency: uv sync --dev"
            ) from None
        labelled = examples()
        offensive = sum(e.offensive for e in labelled)
        self.stdout.write(
            f"{len(labelled)} examples ({offensive} offensive) in "
            f"{len({e.set_name for e in labelled})} sets"
        )
        best, measured = choose(labelled)
        self.stdout.write("left one set out at a time: strength, threshold, recall, clean passed")
        for c in measured:
            mark = "  <- chosen" if c == best else ""
            self.stdout.write(
                f"  C={c.strength:<5} t={c.threshold:<4} offensive held {c.recall:.3f}"
                f"  clean passed {c.clean_passed:.3f}{mark}"
            )
        model = train(labelled, best)
        self.stdout.write(f"{len(model['weights'])} weights")
        if not dry_run:
            write_model(model)
            self.stdout.write(f"written to {MODEL_FILE}")
