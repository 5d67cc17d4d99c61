"""What only the lessons need: the exercises' grading (`grading`) and checks
(`loss_exercises`, `step_exercises`), the own-photo panel (`studio`), the image size a
lesson chooses for the hardware (`hardware`).

May import every layer below it and `nst_tf.fast` (lesson 08's training step).
"""
