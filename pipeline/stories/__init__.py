"""Event identity: mentions of one real event within an article (mention groups), and stories,
the same real event reported by any number of articles. Pure functions over event records
(schemas/event.avsc); the Beam steps are in pipeline/transforms/stories.py.

    event records -> mention_facts -> group_mentions (per article: event_group_id, main mention)
                                   -> StoryBook.link (per story family: story_id) -> story_record
"""
