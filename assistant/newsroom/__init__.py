"""What journalists do beyond one question: check a draft, follow a story, catch up on a week."""
