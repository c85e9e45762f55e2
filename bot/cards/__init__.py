"""Staff decisions as WeCom template cards (button_interaction): the card for each step, sending it with
its photo, the clicks' ResponseCodes, and changing every copy once someone decided (update_template_card)."""
