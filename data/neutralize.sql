-- A copy of the database (staging, tests) never calls TusFacturas with production
-- credentials, nor checks customers automatically.
UPDATE res_company
   SET tusfacturas_usertoken = NULL,
       tusfacturas_apikey = NULL,
       tusfacturas_apitoken = NULL,
       tusfacturas_check_active = false;
