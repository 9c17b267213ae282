from pathlib import Path

import pytest

from assistant import CANNOT_ANSWER
from assistant.prompts import PromptMissing, load_prompt
from assistant.settings import Settings


def test_answer_prompts_load_from_the_prompts_folder_and_take_their_fields() -> None:
    folder = Settings().prompts
    system = load_prompt(folder, "answer_system").format(cannot_answer=CANNOT_ANSWER)
    user = load_prompt(folder, "answer_user").format(passages="[1] A passage.", question="Q?")
    assert CANNOT_ANSWER in system and "[1] A passage." in user and "Q?" in user
    assert "{history}" in load_prompt(folder, "rewrite_question")


def test_a_missing_prompt_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(PromptMissing, match="nope.txt"):
        load_prompt(tmp_path, "nope")
