{#-
    The clearinghouse's latest answer to each acknowledged unit of an 837 batch (decision 0018):
    a re-sent 999 / TA1 repeats its answers, so one row per receiver (= the 837's sender) and
    acknowledged unit ranks first (answer_rank = 1): the latest report date (999s; a TA1 has
    none), then the latest interchange, then the latest record.

    `relation`: a staging model of 999 / TA1 answers; `acknowledged`: pairs (answer column,
    837 column) naming the unit, e.g. [('acknowledged_group_control_number',
    'group_control_number')]. When incremental (`since`), only the answers to the units of the
    `submissions` CTE (the touched 837s) are read.
-#}
{% macro latest_batch_answers(relation, acknowledged, since, dated=true) -%}
    select
        *
        , row_number() over (
            partition by receiver_id
            {%- for answer_column, submission_column in acknowledged %}, {{ answer_column }}{% endfor %}
            order by {% if dated %}report_date desc nulls last, {% endif %}interchange_control_number desc, record_key desc
        ) as answer_rank
    from {{ relation }} as answers
    {%- if since %}
    where exists (
        select 1 from submissions
        where submissions.sender_id = answers.receiver_id
        {%- for answer_column, submission_column in acknowledged %}
            and submissions.{{ submission_column }} = answers.{{ answer_column }}
        {%- endfor %}
    )
    {%- endif %}
{%- endmacro %}
